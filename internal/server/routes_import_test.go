package server_test

import (
	"strings"

	"bulwark/internal/auth"
)

// importBody is a multipart form with a one-row CSV, as a browser sends it.
var importBody = strings.Join([]string{
	"--rcboundary",
	`Content-Disposition: form-data; name="file"; filename="assets.csv"`,
	"Content-Type: text/csv",
	"",
	"资产名称,资产类型",
	"route case asset,server",
	"--rcboundary--",
	"",
}, "\r\n")

const importType = "multipart/form-data; boundary=rcboundary"

func init() {
	addRouteCases(map[string]routeCase{
		"GET /assets/import":               {Perm: auth.PermAssetImport, Path: "/assets/import"},
		"POST /assets/import":              {Perm: auth.PermAssetImport, Path: "/assets/import", Body: importBody, ContentType: importType},
		"GET /assets/import/template.xlsx": {Perm: auth.PermAssetImport, Path: "/assets/import/template.xlsx"},
		// An upload nobody made: refused as not found, not as forbidden.
		"POST /assets/import/confirm": {Perm: auth.PermAssetImport, Path: "/assets/import/confirm",
			Body: "mode=all&sha256=" + strings.Repeat("0", 64)},
		"GET /assets/export.xlsx":    {Perm: auth.PermAssetExport, Path: "/assets/export.xlsx?q=fixture"},
		"GET /assets/export.csv":     {Perm: auth.PermAssetExport, Path: "/assets/export.csv?q=fixture"},
		"POST /api/v1/assets/import": {Perm: auth.PermAssetImport, Path: "/api/v1/assets/import?dry_run=true", Body: importBody, ContentType: importType},
		"GET /api/v1/assets/export":  {Perm: auth.PermAssetExport, Path: "/api/v1/assets/export?format=csv&q=fixture"},
	})
}
