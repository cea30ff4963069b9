import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isReportFormat, render, REPORT_FORMATS, type ReportFormat } from '../../src/report/index.js';
import { renderJson } from '../../src/report/json.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderSarif } from '../../src/report/sarif.js';
import { renderText } from '../../src/report/text.js';
import { SHARED_MISSING } from '../helpers.js';
import { LOCKFILES, sampleResult, type Sample } from './sample.js';

describe('render()', { skip: LOCKFILES ? false : SHARED_MISSING }, () => {
  let sample: Sample;
  before(async () => {
    sample = await sampleResult();
  });
  after(async () => sample?.cleanup());

  test('dispatches each format to its reporter', () => {
    assert.deepEqual(REPORT_FORMATS.slice(0, 3), ['sarif', 'json', 'text']);
    assert.ok(REPORT_FORMATS.includes('markdown'));
    assert.equal(render('markdown', sample.result), renderMarkdown(sample.result, { assessor: true }));
    assert.equal(render('sarif', sample.result), renderSarif(sample.result));
    assert.equal(render('json', sample.result), renderJson(sample.result));
    assert.equal(render('text', sample.result), renderText(sample.result));
    assert.equal(render('text', sample.result, { color: true }), renderText(sample.result, { color: true }));
  });

  test('an unknown format is a clear error', () => {
    assert.equal(isReportFormat('yaml'), false);
    assert.throws(() => render('yaml' as ReportFormat, sample.result), new RegExp(`unknown report format 'yaml' \\(expected one of: ${REPORT_FORMATS.join(', ')}\\)`));
  });
});
