package specmerge

import "testing"

const marketingSpec = `
openapi: 3.0.3
info: {title: marketing, version: "1.0"}
paths:
  /public/v1/t/o/{token}:
    parameters:
      - {name: token, in: path, required: true, schema: {type: string}}
    get:
      operationId: openPixel
      security: [{internal: []}]
      responses:
        "200": {description: the pixel}
  /public/v1x/other:
    get:
      operationId: notPublic
      responses:
        "200": {description: not the public pages}
components:
  securitySchemes:
    internal: {type: http, scheme: bearer}
`

// TestMergeMarketingPublicPaths: the marketing service's public pages
// (/public/v1/…) are listed at the gateway's public address,
// /m/{tenant}/…, with the tenant as a parameter and no security; a path
// that only starts with the same letters stays where it is.
func TestMergeMarketingPublicPaths(t *testing.T) {
	doc, _ := mergedDoc(t, map[string][]byte{"marketing": []byte(marketingSpec)})
	if doc.Paths.Value("/public/v1/t/o/{token}") != nil {
		t.Error("the merged document still lists /public/v1/t/o/{token}")
	}
	if doc.Paths.Value("/public/v1x/other") == nil {
		t.Error("the merged document lost /public/v1x/other")
	}
	item := doc.Paths.Value("/m/{tenant}/t/o/{token}")
	if item == nil {
		t.Fatal("the merged document has no /m/{tenant}/t/o/{token}")
	}
	if item.Parameters.GetByInAndName("path", "tenant") == nil || item.Parameters.GetByInAndName("path", "token") == nil {
		t.Errorf("parameters %v, want tenant and token", item.Parameters)
	}
	if item.Get.Security == nil || len(*item.Get.Security) != 0 {
		t.Errorf("GET's security = %v, want none", item.Get.Security)
	}
}
