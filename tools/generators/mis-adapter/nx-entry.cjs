// Nx loads a local generator written in TypeScript only through ts-node or @swc-node/register, which
// this repository does not install; tsx (installed) compiles generator.ts for it instead.
module.exports = require('tsx/cjs/api').require('./generator.ts', __filename);
