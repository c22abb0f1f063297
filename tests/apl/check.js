// Amazon's APL validator (apl-suggester) over RenderDocument directives.
// stdin: a JSON array of {"name", "document", "datasources"}.
// stdout: a JSON object {name: [finding, ...]}; an empty list means no findings.
'use strict';
const { StaticAplTemplateValidator } = require('apl-suggester');

// apl-suggester logs notes of its own with console.log; keep stdout for the answer.
console.log = (...args) => process.stderr.write(args.join(' ') + '\n');

async function main() {
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  const findings = {};
  for (const { name, document, datasources } of JSON.parse(input)) {
    const validator = new StaticAplTemplateValidator();
    const found = [...await validator.validate(document)];
    if (datasources !== undefined) found.push(...await validator.validateDataSources(datasources));
    findings[name] = found.map(({ path, errorMessage, level }) => ({ path, errorMessage, level }));
  }
  process.stdout.write(JSON.stringify(findings));
}

main().catch((error) => { process.stderr.write(String(error && error.stack || error) + '\n'); process.exit(2); });
