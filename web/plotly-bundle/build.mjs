// esbuild of index.js into one minified script that sets window.Plotly (run by `make bundle`).
// Usage: node build.mjs OUTFILE. Options follow plotly.js's own esbuild-config.js, without
// the plugins that only its WebGL / MapLibre traces need (shaders, inlined maplibre CSS).
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

const outfile = process.argv[2];
if (!outfile) {
    console.error('usage: node build.mjs OUTFILE');
    process.exit(2);
}
const { version } = JSON.parse(readFileSync(new URL('./node_modules/plotly.js/package.json', import.meta.url)));

await build({
    entryPoints: [new URL('./index.js', import.meta.url).pathname],
    outfile,
    bundle: true,
    minify: true,
    format: 'iife',
    globalName: 'Plotly',
    target: 'es2016',
    define: { global: 'window', 'define.amd': 'false' },
    loader: { '.css': 'empty' }, // maplibre-gl.css, required only for MapLibre traces
    banner: { js: `/*! plotly.js v${version} (MIT, https://github.com/plotly/plotly.js), only the dashboard's traces: web/plotly-bundle/index.js */` },
    legalComments: 'eof',
    logLevel: 'warning',
});
