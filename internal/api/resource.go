package api

import (
	"context"
	"net/http"

	"bulwark/internal/auth"
	"bulwark/internal/httpx"
)

// The shapes every resource's PATCH and DELETE share. The service behind
// each call still checks the caller and writes the audit record; these only
// spare each resource the same plumbing.

// patchByID reads the body, loads the record, lets apply lay the body over
// it, saves it with update and answers with the result. When perm is set it
// is asked first, so a reader who may not write is told 403 rather than
// whatever loading would have said.
func patchByID[T, I any](w http.ResponseWriter, r *http.Request, perm auth.Perm,
	get func(context.Context, int64) (T, error), apply func(I, *T),
	update func(context.Context, int64, T) (T, error)) {
	if perm != "" {
		if _, err := auth.Require(r.Context(), perm); err != nil {
			httpx.WriteError(w, r, err)
			return
		}
	}
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var in I
	if err := decode(r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	cur, err := get(r.Context(), id)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	apply(in, &cur)
	out, err := update(r.Context(), id, cur)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}

// deleteByID deletes the record named by the path's id and answers 204.
func deleteByID(w http.ResponseWriter, r *http.Request, del func(context.Context, int64) error) {
	id, err := pathID(r)
	if err == nil {
		err = del(r.Context(), id)
	}
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
