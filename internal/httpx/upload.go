package httpx

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"

	"bulwark/internal/apperr"
)

// StreamUpload walks a multipart/form-data body part by part: the file in
// fileField is handed to save as it arrives (straight to storage, never
// buffered whole in memory or in temporary files by net/http), and the
// other fields, each cut to 1 KiB, are returned. A form without the file
// is an invalid-input error (err.import_no_file); a body cut off at the
// server's upload limit is apperr.TooLarge.
func StreamUpload(r *http.Request, fileField string, save func(filename string, part io.Reader) error) (url.Values, error) {
	fields := url.Values{}
	mr, err := r.MultipartReader()
	if err != nil {
		return fields, apperr.New(apperr.Invalid, "err.import_no_file")
	}
	saved := false
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fields, uploadErr(err)
		}
		name := part.FormName()
		switch {
		case name == fileField && !saved:
			if part.FileName() == "" {
				// Browsers send an empty, nameless part when no file
				// was chosen.
				b, _ := io.ReadAll(io.LimitReader(part, 1))
				if len(b) == 0 {
					part.Close()
					continue
				}
				return fields, apperr.New(apperr.Invalid, "err.import_no_file")
			}
			if err := save(part.FileName(), part); err != nil {
				part.Close()
				return fields, uploadErr(err)
			}
			saved = true
		case name != "" && name != fileField:
			b, err := io.ReadAll(io.LimitReader(part, 1024))
			if err != nil {
				return fields, uploadErr(err)
			}
			fields.Add(name, string(b))
		}
		part.Close()
	}
	if !saved {
		return fields, apperr.New(apperr.Invalid, "err.import_no_file")
	}
	return fields, nil
}

// uploadErr reports a body cut off at the upload limit as too large, and
// a malformed multipart body as a missing file.
func uploadErr(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return apperr.New(apperr.TooLarge, "err.import_too_large", tooBig.Limit>>20)
	}
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return err
	}
	if errors.Is(err, multipart.ErrMessageTooLarge) || errors.Is(err, io.ErrUnexpectedEOF) {
		return apperr.New(apperr.Invalid, "err.import_no_file")
	}
	return err
}
