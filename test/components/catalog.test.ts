/** The catalog of pinned versions. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { charts } from "../../components/catalog";

describe("catalog", () => {
  it("pins every chart to an exact version", () => {
    for (const [key, pin] of Object.entries(charts)) {
      assert.match(pin.version, /^v?\d+\.\d+\.\d+$/, key);
      assert.match(pin.repository, /^https:\/\//, key);
    }
  });
});
