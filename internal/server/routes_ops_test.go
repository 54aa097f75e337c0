package server_test

func init() {
	addRouteCases(map[string]routeCase{
		"GET /api/v1/openapi.json": {Public: true, Path: "/api/v1/openapi.json"},
	})
}
