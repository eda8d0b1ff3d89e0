// wrangler.toml's [[rules]] bundles the built tag as text (type "Text"): its default export is
// the script's source. A default export because that is how text modules come in.
declare module '@sluice/tracker/sluice.js' {
  const source: string;
  export default source;
}
