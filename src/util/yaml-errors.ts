import { LineCounter, parseDocument, type Document } from 'yaml';

/** A YAML document plus a way to turn a JSON pointer (from a schema error) into a 1-based line. */
export interface LocatedYaml {
  doc: Document;
  value: unknown;
  lineOf(pointer: string): number | undefined;
}

export class YamlSyntaxError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message);
  }
}

export function parseLocatedYaml(text: string): LocatedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    const line = err.linePos?.[0]?.line ?? lineCounter.linePos(err.pos[0]).line;
    throw new YamlSyntaxError(err.message.split('\n')[0]!, line);
  }
  const lineOf = (pointer: string): number | undefined => {
    const keys = pointer
      .split('/')
      .slice(1)
      .map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'))
      .map((k) => (/^\d+$/.test(k) ? Number(k) : k));
    // walk up until a node exists (a missing property is reported on its parent)
    for (let n = keys.length; n >= 0; n--) {
      const node = keys.length === 0 || n === 0 ? doc.contents : doc.getIn(keys.slice(0, n), true);
      const range = (node as { range?: [number, number, number] } | undefined)?.range;
      if (range) return lineCounter.linePos(range[0]).line;
    }
    return undefined;
  };
  return { doc, value: doc.toJS(), lineOf };
}
