/** esbuild bundles imported stylesheets into a .css file beside the script. */
declare module '*.css';
