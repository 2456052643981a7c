// marked-man ships no types: it is a marked extension that renders roff.
declare module 'marked-man' {
  import type { MarkedExtension } from 'marked';
  const markedMan: MarkedExtension;
  export default markedMan;
}
