package asset

import (
	"context"
	"io"

	"bulwark/internal/apperr"
	"bulwark/internal/auth"
	"bulwark/internal/store"
	"bulwark/internal/upload"
)

// SaveImportFile stores an uploaded spreadsheet under dataDir by its
// SHA-256 and records that the caller's organisation uploaded it, so a
// later ImportUpload (the preview's confirm) can name it by hash alone.
// The permission is checked before a byte is read.
func (s *Service) SaveImportFile(ctx context.Context, dataDir string, maxBytes int64, filename string, r io.Reader) (upload.Upload, error) {
	actor, err := auth.Require(ctx, auth.PermAssetImport)
	if err != nil {
		return upload.Upload{}, err
	}
	st, err := upload.Save(ctx, dataDir, r, maxBytes)
	if err != nil {
		return upload.Upload{}, apperr.Wrap(err, "save import file")
	}
	if st.Size == 0 {
		return upload.Upload{}, apperr.New(apperr.Invalid, "err.import_empty")
	}
	// The uploads row is the file store's index, not a change to the
	// register: the import that uses the file is what the trail records
	// (with this hash), and a preview changes nothing.
	var u upload.Upload
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		u, err = upload.Record(ctx, tx, upload.Upload{OrgID: actor.OrgID, SHA256: st.SHA256, Filename: filename,
			Size: st.Size, UploadedBy: actor.UserID, CreatedAt: s.Clock.Now()})
		return err
	})
	return u, apperr.Wrap(err, "save import file")
}

// ImportUpload imports (or with DryRun previews) a file the caller's
// organisation uploaded earlier, named by its hash. A hash of another
// organisation's upload is not found.
func (s *Service) ImportUpload(ctx context.Context, dataDir, sum string, opt ImportOptions) (*ImportResult, error) {
	actor, err := auth.Require(ctx, auth.PermAssetImport)
	if err != nil {
		return nil, err
	}
	u, err := upload.Find(ctx, s.DB.Read(), actor.OrgID, sum)
	if err != nil {
		return nil, apperr.Wrap(err, "find import file")
	}
	data, err := upload.Read(dataDir, u.SHA256)
	if err != nil {
		return nil, apperr.Wrap(err, "read import file")
	}
	if opt.Filename == "" {
		opt.Filename = u.Filename
	}
	return s.Import(ctx, data, opt)
}
