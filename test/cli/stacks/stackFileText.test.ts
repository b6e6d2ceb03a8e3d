/** Writing an edited stack file: unchanged values as written, and never a file that reads back differently. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseDocument } from "yaml";
import { stackFileText } from "../../../cli/stacks/stackFile";

describe("stackFileText", () => {
  it("keeps an unchanged multi-line value as written where it can, and falls back to yaml's own layout where a re-indent would break it", () => {
    const kept =
      "config:\n  aws:region: eu-west-1\n  phoenix:tags:\n    note: >-\n      a folded string\n      over two lines\n";
    const a = parseDocument(kept);
    a.setIn(["config", "aws:region"], "us-east-1");
    assert.equal(stackFileText(a, kept), kept.replace("eu-west-1", "us-east-1"));
    // A compact sequence (dash at its key's column) that yaml re-indents: pasting the
    // wrapped flow list at its old column would not parse.
    const compact =
      'config:\n  phoenix:namespaces:\n    imperative:\n    - name: a\n      pre:\n      - command: [/bin/sh, -c,\n          "x"]\n  aws:region: eu-west-1\n';
    const b = parseDocument(compact);
    b.setIn(["config", "aws:region"], "us-east-1");
    const out = stackFileText(b, compact);
    assert.deepEqual(parseDocument(out).toJS(), b.toJS(), "reads back as the edited document");
    assert.equal(parseDocument(out).errors.length, 0);
  });
});
