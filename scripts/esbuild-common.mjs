// Shared by the esbuild bundles (CLI and Action).
import { promises as fs } from 'node:fs';

// Extractors load CJS parsers lazily with `const requireCjs = createRequire(import.meta.url)`; esbuild does not
// follow such calls, and a bundle may run where there is no node_modules to resolve them from. Turn
// `requireCjs('x')` into `require('x')` at bundle time so the parser is bundled (it still runs only when first called).
export const lazyRequire = {
  name: 'lazy-require',
  setup(build) {
    build.onLoad({ filter: /[\\/]src[\\/].*\.tsx?$/ }, async (args) => {
      let text = await fs.readFile(args.path, 'utf8');
      const m = /const (\w+) = createRequire\(import\.meta\.url\);/.exec(text);
      if (m) text = text.replace(new RegExp(`\\b${m[1]}\\((['"][^'"]+['"])\\)`, 'g'), 'require($1)');
      return { contents: text, loader: args.path.endsWith('x') ? 'tsx' : 'ts' };
    });
  },
};

// CJS dependencies call require() for Node built-ins; an ES module has none, so give it one
export const REQUIRE_BANNER = "import { createRequire as __cryptauditRequire } from 'node:module';\nconst require = __cryptauditRequire(import.meta.url);";
