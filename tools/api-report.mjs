#!/usr/bin/env node
// The public API of one package, as API Extractor reports it from the built declarations: one report per
// entry point in `exports` (core: `.`, `./sink`, `./avro`), checked in under <package>/api/. Run in a
// package folder (the `api` Nx target does): fails when the API differs from the checked-in report, so
// that every change of the public API shows in review. `--local` (npx nx run <project>:api --local)
// writes the new report instead, to commit with the change.
import { Extractor, ExtractorConfig, ExtractorLogLevel } from '@microsoft/api-extractor';
import { mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const local = process.argv.includes('--local');
const folder = process.cwd();
const packageJsonFullPath = path.join(folder, 'package.json');
const manifest = JSON.parse(readFileSync(packageJsonFullPath, 'utf8'));
const unscoped = manifest.name.replace(/^@[^/]+\//, '');
const entries = Object.entries(manifest.exports ?? {}).filter(([, target]) => target?.types);
if (entries.length === 0) {
  console.error(`${manifest.name}: no exports with types in package.json`);
  process.exit(1);
}
mkdirSync(path.join(folder, 'api'), { recursive: true });

let failed = 0;
for (const [subpath, target] of entries) {
  const reportName =
    subpath === '.' ? unscoped : `${unscoped}-${subpath.replace(/^\.\//, '').replaceAll('/', '-')}`;
  const config = ExtractorConfig.prepare({
    packageJsonFullPath,
    configObjectFullPath: path.join(folder, 'api-extractor.json'), // not read: only names the folder
    configObject: {
      projectFolder: folder,
      mainEntryPointFilePath: path.join(folder, target.types),
      compiler: { tsconfigFilePath: path.join(folder, 'tsconfig.json') },
      apiReport: {
        enabled: true,
        reportFileName: `${reportName}.api.md`,
        reportFolder: path.join(folder, 'api'),
        // Outside dist/, which is published.
        reportTempFolder: path.join(os.tmpdir(), 'sluice-api-report', unscoped),
      },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages: {
        // Forgotten exports and the like are written into the report, where review sees them.
        extractorMessageReporting: {
          default: { logLevel: ExtractorLogLevel.Warning, addToApiReportFile: true },
          // Release tags (@public/@beta) are not used: what is exported is public.
          'ae-missing-release-tag': { logLevel: ExtractorLogLevel.None, addToApiReportFile: false },
        },
        // The doc comments are prose for readers, not TSDoc.
        tsdocMessageReporting: { default: { logLevel: ExtractorLogLevel.None } },
        compilerMessageReporting: { default: { logLevel: ExtractorLogLevel.Warning } },
      },
    },
  });
  const result = Extractor.invoke(config, {
    localBuild: local,
    showVerboseMessages: false,
    messageCallback: (message) => {
      // The bundled TypeScript may be older than the workspace's; the declarations are plain.
      if (message.messageId === 'console-compiler-version-notice') message.logLevel = ExtractorLogLevel.None;
    },
  });
  const where = path.relative(process.cwd(), path.join(folder, 'api', `${reportName}.api.md`));
  if (result.apiReportChanged && !local) {
    console.error(
      `${manifest.name} (${subpath}): the public API differs from ${where}. If the change is intended, run ` +
        `\`npx nx run ${manifest.name}:api --local\` and commit the report with it.`,
    );
    failed++;
  } else if (!result.succeeded) {
    console.error(`${manifest.name} (${subpath}): API Extractor reported ${result.errorCount} error(s)`);
    failed++;
  } else
    console.log(
      `${manifest.name} (${subpath}): ${local && result.apiReportChanged ? 'updated' : 'unchanged'} ${where}`,
    );
}
process.exit(failed > 0 ? 1 : 0);
