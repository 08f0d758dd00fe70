import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { kindInfo, type KindInfo } from "../state/kinds.js";
import {
  alreadyEmitted,
  decideOnGone,
  labelSelectorFor,
  objectKey,
  pageSizeFor,
  parseListPage,
  prepareItem,
} from "./paging.js";

function info(kind: string): KindInfo {
  const i = kindInfo(kind);
  assert.ok(i, kind);
  return i;
}

void describe("decideOnGone", () => {
  void it("follows the inconsistent continue token of a ResourceExpired status", () => {
    const status = { kind: "Status", code: 410, reason: "Expired", metadata: { continue: "tok2" } };
    assert.deepEqual(decideOnGone(status), { action: "continue-inconsistent", continueToken: "tok2" });
  });
  void it("restarts without a token", () => {
    assert.deepEqual(decideOnGone({ code: 410, reason: "Gone", metadata: {} }), { action: "restart" });
    assert.deepEqual(decideOnGone({ metadata: { continue: "" } }), { action: "restart" });
    assert.deepEqual(decideOnGone(undefined), { action: "restart" });
  });
});

void describe("alreadyEmitted (restart skip by key)", () => {
  void it("skips keys up to the last one sent", () => {
    assert.equal(alreadyEmitted("a/x", "b/y"), true);
    assert.equal(alreadyEmitted("b/y", "b/y"), true);
    assert.equal(alreadyEmitted("b/z", "b/y"), false);
    assert.equal(alreadyEmitted("a", undefined), false);
  });
  void it("orders keys like etcd (byte order of namespace/name)", () => {
    // "a-b/..." sorts before "a/..." because '-' < '/'.
    assert.equal(
      objectKey({ metadata: { namespace: "a-b", name: "z" } }) <
        objectKey({ metadata: { namespace: "a", name: "a" } }),
      true,
    );
    assert.equal(objectKey({ metadata: { name: "node-1" } }), "node-1");
  });
});

void describe("prepareItem", () => {
  void it("sets kind and apiVersion and strips managedFields and last-applied", () => {
    const obj = prepareItem(
      {
        metadata: {
          name: "d",
          managedFields: [{ apiVersion: "apps/v1" }, { apiVersion: "extensions/v1beta1" }],
          annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{}" },
        },
        spec: { replicas: 1 },
      },
      info("Deployment"),
    );
    assert.equal(obj.kind, "Deployment");
    assert.equal(obj.apiVersion, "apps/v1");
    assert.equal(obj.metadata?.managedFields, undefined);
    assert.deepEqual(obj.metadata?.managedApiVersions, ["apps/v1", "extensions/v1beta1"]);
    assert.equal(obj.metadata?.annotations, undefined);
  });
  void it("turns PartialObjectMetadata into a Secret and drops any data", () => {
    const obj = prepareItem(
      {
        kind: "PartialObjectMetadata",
        apiVersion: "meta.k8s.io/v1",
        metadata: { name: "s" },
        data: { k: "c2VjcmV0" },
        stringData: { a: "b" },
      },
      info("Secret"),
    );
    assert.deepEqual(obj, { kind: "Secret", apiVersion: "v1", metadata: { name: "s" } });
  });
});

void describe("labelSelectorFor", () => {
  void it("applies to workloads only", () => {
    assert.equal(labelSelectorFor(info("Pod"), "app=x"), "app=x");
    assert.equal(labelSelectorFor(info("Deployment"), "app=x"), "app=x");
    for (const k of ["Namespace", "Node", "Service", "ConfigMap", "Secret", "PodDisruptionBudget", "Event"]) {
      assert.equal(labelSelectorFor(info(k), "app=x"), undefined, k);
    }
    assert.equal(labelSelectorFor(info("Pod"), undefined), undefined);
  });
});

void describe("pageSizeFor", () => {
  void it("uses small pages for CRDs", () => {
    assert.equal(pageSizeFor(info("CustomResourceDefinition"), 500), 50);
    assert.equal(pageSizeFor(info("CustomResourceDefinition"), 10), 10);
    assert.equal(pageSizeFor(info("Pod"), 500), 500);
  });
});

void describe("parseListPage", () => {
  void it("reads items and the continue token", () => {
    const page = parseListPage(
      Buffer.from(JSON.stringify({ metadata: { continue: "c", resourceVersion: "9" }, items: [{}, {}] })),
    );
    assert.equal(page.items.length, 2);
    assert.equal(page.continueToken, "c");
    assert.equal(page.resourceVersion, "9");
  });
  void it("treats an empty continue as the last page", () => {
    assert.equal(
      parseListPage(Buffer.from('{"metadata":{"continue":""},"items":[]}')).continueToken,
      undefined,
    );
  });
  void it("reads an empty list whose items are null (PartialObjectMetadataList) or left out", () => {
    const meta =
      '{"kind":"PartialObjectMetadataList","apiVersion":"meta.k8s.io/v1","metadata":{"resourceVersion":"530"},"items":null}';
    assert.deepEqual(parseListPage(Buffer.from(meta)).items, []);
    assert.deepEqual(parseListPage(Buffer.from('{"kind":"PodList","metadata":{}}')).items, []);
  });
  void it("rejects non-lists", () => {
    assert.throws(() => parseListPage(Buffer.from('{"kind":"Status"}')), /not a Kubernetes list/);
    assert.throws(() => parseListPage(Buffer.from("<html>")), SyntaxError);
  });
});
