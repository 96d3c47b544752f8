/// <reference types="vite/client" />

declare module 'virtual:faultline-scenarios' {
  const listing: import('./live/scenarios.ts').ScenarioListing;
  export default listing;
}
