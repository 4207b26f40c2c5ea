package specmerge

import "testing"

const portalSpec = `
openapi: 3.0.3
info: {title: support, version: "1.0"}
paths:
  /portal/v1/articles/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string}}
    get:
      operationId: getPortalArticle
      security: [{internal: []}]
      responses:
        "200": {description: the article}
  /portal/v1:
    get:
      operationId: portalRoot
      responses:
        "200": {description: the root}
  /portal/v1x/other:
    get:
      operationId: notThePortal
      responses:
        "200": {description: not the portal}
components:
  securitySchemes:
    internal: {type: http, scheme: bearer}
`

// TestMergePortalPaths: the portal's paths of a service (/portal/v1/…) are
// listed at the gateway's public address, /portal/{tenant}/api/v1/…, with
// the tenant's slug as a parameter and no security; a path that only
// starts with the same letters stays where it is.
func TestMergePortalPaths(t *testing.T) {
	doc, _ := mergedDoc(t, map[string][]byte{"support": []byte(portalSpec)})
	for _, p := range []string{"/portal/v1/articles/{id}", "/portal/v1"} {
		if doc.Paths.Value(p) != nil {
			t.Errorf("the merged document still lists %s", p)
		}
	}
	if doc.Paths.Value("/portal/v1x/other") == nil {
		t.Error("the merged document lost /portal/v1x/other")
	}
	for _, p := range []string{"/portal/{tenant}/api/v1/articles/{id}", "/portal/{tenant}/api/v1"} {
		item := doc.Paths.Value(p)
		if item == nil {
			t.Fatalf("the merged document has no %s", p)
		}
		if item.Parameters.GetByInAndName("path", "tenant") == nil {
			t.Errorf("%s has no tenant parameter", p)
		}
		if item.Get.Security == nil || len(*item.Get.Security) != 0 {
			t.Errorf("%s GET's security = %v, want none", p, item.Get.Security)
		}
	}
}
