// A whole-list harvest by the npm `oai-pmh` harvester (a client outside PyPI), for the provider tests.
// usage: node node_harvest.cjs BASE_URL ListIdentifiers|ListRecords PREFIX [SET]
// Prints one identifier per line (deleted records too); exits 1 on any error.
const { OaiPmh } = require('oai-pmh');

(async () => {
  const [baseUrl, verb, prefix, set] = process.argv.slice(2);
  const oai = new OaiPmh(baseUrl);
  const options = { metadataPrefix: prefix };
  if (set) options.set = set;
  const list = verb === 'ListRecords' ? oai.listRecords(options) : oai.listIdentifiers(options);
  for await (const item of list) {
    const header = item.header || item;
    console.log(header.identifier);
  }
})().catch((error) => {
  // noRecordsMatch is an empty list, not a failure
  if (String(error && error.message).includes('noRecordsMatch')) process.exit(0);
  console.error(error);
  process.exit(1);
});
