package server_test

import "bulwark/internal/auth"

// The emergency organisation's routes. Ids 999999 exist nowhere: an allowed
// caller gets 404, a forbidden one 403. Invalid bodies get 422 when allowed.
func init() {
	read, manage := auth.PermEmergencyRead, auth.PermEmergencyManage
	addRouteCases(map[string]routeCase{
		"GET /emergency":                          {Perm: read, Path: "/emergency"},
		"GET /emergency/chart.svg":                {Perm: read, Path: "/emergency/chart.svg"},
		"GET /emergency/members/new":              {Perm: manage, Path: "/emergency/members/new?place=leadership"},
		"POST /emergency/members":                 {Perm: manage, Path: "/emergency/members", Body: "place=leadership&name="},
		"GET /emergency/members/{id}/edit":        {Perm: manage, Path: "/emergency/members/999999/edit"},
		"POST /emergency/members/{id}":            {Perm: manage, Path: "/emergency/members/999999", Body: "place=leadership&name=x"},
		"POST /emergency/members/{id}/delete":     {Perm: manage, Path: "/emergency/members/999999/delete"},
		"GET /emergency/units/new":                {Perm: manage, Path: "/emergency/units/new"},
		"POST /emergency/units":                   {Perm: manage, Path: "/emergency/units", Body: "name="},
		"GET /emergency/units/{id}/edit":          {Perm: manage, Path: "/emergency/units/999999/edit"},
		"POST /emergency/units/{id}":              {Perm: manage, Path: "/emergency/units/999999", Body: "name=x"},
		"POST /emergency/units/{id}/delete":       {Perm: manage, Path: "/emergency/units/999999/delete"},
		"GET /emergency/groups/{kind}/edit":       {Perm: manage, Path: "/emergency/groups/office/edit"},
		"POST /emergency/groups/{kind}":           {Perm: manage, Path: "/emergency/groups/office", Body: "location=技术部"},
		"GET /emergency/duty":                     {Perm: read, Path: "/emergency/duty?week=2026-11-23"},
		"GET /emergency/duty/shifts/new":          {Perm: manage, Path: "/emergency/duty/shifts/new?date=2026-11-25"},
		"POST /emergency/duty/shifts":             {Perm: manage, Path: "/emergency/duty/shifts", Body: "member_id=0&duty_role=lead"},
		"GET /emergency/duty/shifts/{id}/edit":    {Perm: manage, Path: "/emergency/duty/shifts/999999/edit"},
		"POST /emergency/duty/shifts/{id}":        {Perm: manage, Path: "/emergency/duty/shifts/999999", Body: "member_id=0&duty_role=lead"},
		"POST /emergency/duty/shifts/{id}/delete": {Perm: manage, Path: "/emergency/duty/shifts/999999/delete"},

		"GET /api/v1/emergency/groups":          {Perm: read, Path: "/api/v1/emergency/groups"},
		"PUT /api/v1/emergency/groups/{kind}":   {Perm: manage, Path: "/api/v1/emergency/groups/office", Body: `{"location":"技术部"}`},
		"POST /api/v1/emergency/units":          {Perm: manage, Path: "/api/v1/emergency/units", Body: `{"name":""}`},
		"PATCH /api/v1/emergency/units/{id}":    {Perm: manage, Path: "/api/v1/emergency/units/999999", Body: `{"name":"x"}`},
		"DELETE /api/v1/emergency/units/{id}":   {Perm: manage, Path: "/api/v1/emergency/units/999999"},
		"POST /api/v1/emergency/members":        {Perm: manage, Path: "/api/v1/emergency/members", Body: `{"group":"leadership","name":""}`},
		"PATCH /api/v1/emergency/members/{id}":  {Perm: manage, Path: "/api/v1/emergency/members/999999", Body: `{"name":"x"}`},
		"DELETE /api/v1/emergency/members/{id}": {Perm: manage, Path: "/api/v1/emergency/members/999999"},
		"GET /api/v1/emergency/shifts":          {Perm: read, Path: "/api/v1/emergency/shifts?from=2026-11-23T00:00:00Z&to=2026-11-30T00:00:00Z"},
		"POST /api/v1/emergency/shifts":         {Perm: manage, Path: "/api/v1/emergency/shifts", Body: `{"member_id":0,"duty_role":"lead"}`},
		"DELETE /api/v1/emergency/shifts/{id}":  {Perm: manage, Path: "/api/v1/emergency/shifts/999999"},
		"GET /api/v1/emergency/on-duty":         {Perm: read, Path: "/api/v1/emergency/on-duty?at=2026-11-25T08:00:00Z"},
	})
}
