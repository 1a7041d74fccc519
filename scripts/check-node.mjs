// Fails fast, with advice, when the running Node is older than the project needs.
// Written in plain, old-Node-safe JavaScript on purpose: it must run on the Node it rejects.
// `npm install` itself fails first on an old Node (engine-strict=true in .npmrc); this catches
// `npm start`, `npm test`, `npm run build` … run with an old Node over an existing install.
var required = [22, 12];
var parts = process.versions.node.split('.').map(Number);
var ok = parts[0] > required[0] || (parts[0] === required[0] && parts[1] >= required[1]);

/** The command to run once the right Node is on the PATH: what npm was asked for, else `npm start`. */
function npmCommand() {
  var event = (process.env.npm_lifecycle_event || 'start').replace(/^pre/, '');
  return event === 'start' || event === 'test' ? 'npm ' + event : 'npm run ' + event;
}

/**
 * One command that works without installing Node: npx runs npm under Node 24 from the npm
 * registry's node-<os>-<arch> package, which exists for Linux on x64 and arm64 only.
 */
function advice() {
  var lines = ['Install Node 24 (e.g. `nvm install 24`, or https://nodejs.org/), then run the command again.'];
  if (process.platform === 'linux' && (process.arch === 'x64' || process.arch === 'arm64')) {
    lines.push(
      'Or, without installing anything, run it under Node 24 from the npm registry:',
      "  npx -y -p node-linux-" + process.arch + "@24 -- sh -c 'npm install && " + npmCommand() + "'"
    );
  }
  return lines.join('\n');
}

if (!ok) {
  console.error('Onramp needs Node.js >= ' + required.join('.') + ' (Astro 7); this is Node ' + process.versions.node + '.\n' + advice());
  process.exit(1);
}
