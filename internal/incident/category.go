package incident

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/store"
)

// treeOrg is the org_id of the installation-wide classification tree and
// thresholds. They are not per organisation: they name a national standard
// and a national regulation, the same for everyone, so only the platform
// admin edits them and every organisation sees the edit.
const treeOrg = 0

// Category is a class or sub-category of GB/T 20986-2023.
type Category struct {
	Code       string     `json:"code"`
	ParentCode string     `json:"parent_code,omitempty"`
	NameZh     string     `json:"name_zh"`
	NameEn     string     `json:"name_en"`
	AnnexBCode string     `json:"annex_b_code"`
	SortOrder  int        `json:"sort_order"`
	Active     bool       `json:"active"`
	Children   []Category `json:"children"`
}

// Name is the category's name in lang.
func (c Category) Name(lang string) string {
	if lang == "en" {
		return c.NameEn
	}
	return c.NameZh
}

func readCategories(ctx context.Context, q store.Querier) ([]Category, error) {
	rows, err := q.QueryContext(ctx, `SELECT code, parent_code, name_zh, name_en, annex_b_code, sort_order, active
		FROM incident_categories WHERE org_id = $1 ORDER BY sort_order, code`, treeOrg)
	if err != nil {
		return nil, fmt.Errorf("read incident categories: %w", err)
	}
	defer rows.Close()
	var out []Category
	for rows.Next() {
		var c Category
		if err := rows.Scan(&c.Code, &c.ParentCode, &c.NameZh, &c.NameEn, &c.AnnexBCode, &c.SortOrder, &c.Active); err != nil {
			return nil, fmt.Errorf("read incident categories: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// tree nests the flat list: classes in order, each with its sub-categories.
func tree(flat []Category) []Category {
	var classes []Category
	idx := map[string]int{}
	for _, c := range flat {
		if c.ParentCode == "" {
			idx[c.Code] = len(classes)
			classes = append(classes, c)
		}
	}
	for _, c := range flat {
		c.Children = []Category{} // a sub-category has none; the API says so
		if i, ok := idx[c.ParentCode]; ok {
			classes[i].Children = append(classes[i].Children, c)
		}
	}
	for i := range classes {
		if classes[i].Children == nil {
			classes[i].Children = []Category{}
		}
	}
	return classes
}

// Categories returns the classification tree. With activeOnly, deactivated
// classes and sub-categories are left out (what a new incident may use).
func (s *Service) Categories(ctx context.Context, activeOnly bool) ([]Category, error) {
	if _, err := auth.Require(ctx, auth.PermIncidentRead); err != nil {
		return nil, err
	}
	flat, err := readCategories(ctx, s.DB.Read())
	if err != nil {
		return nil, apperr.Wrap(err, "incident categories")
	}
	if activeOnly {
		var act []Category
		for _, c := range flat {
			if c.Active {
				act = append(act, c)
			}
		}
		flat = act
	}
	return tree(flat), nil
}

func getCategory(ctx context.Context, q store.Querier, code string) (Category, error) {
	var c Category
	err := q.QueryRowContext(ctx, `SELECT code, parent_code, name_zh, name_en, annex_b_code, sort_order, active
		FROM incident_categories WHERE org_id = $1 AND code = $2`, treeOrg, code).
		Scan(&c.Code, &c.ParentCode, &c.NameZh, &c.NameEn, &c.AnnexBCode, &c.SortOrder, &c.Active)
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.New(apperr.NotFound, "err.not_found")
	}
	if err != nil {
		return c, fmt.Errorf("read incident category %s: %w", code, err)
	}
	return c, nil
}

// CategoryEdit is what an admin may change of a category.
type CategoryEdit struct {
	NameZh     string
	NameEn     string
	AnnexBCode string
	Active     bool
}

var annexRE = regexp.MustCompile(`^[A-Za-z0-9._-]{0,20}$`)

func (e *CategoryEdit) validate() error {
	e.NameZh, e.NameEn, e.AnnexBCode = strings.TrimSpace(e.NameZh), strings.TrimSpace(e.NameEn), strings.TrimSpace(e.AnnexBCode)
	var c apperr.Collector
	for field, v := range map[string]string{"name_zh": e.NameZh, "name_en": e.NameEn} {
		switch n := utf8.RuneCountInString(v); {
		case n == 0:
			c.Add(field, "err.required")
		case n > 100:
			c.Add(field, "err.too_long", 100)
		}
	}
	if !annexRE.MatchString(e.AnnexBCode) {
		c.Add("annex_b_code", "err.incident_annex_code")
	}
	return c.Err()
}

// UpdateCategory renames a category, sets its Annex B code or (de)activates
// it. Incidents keep the code they were filed under.
func (s *Service) UpdateCategory(ctx context.Context, code string, e CategoryEdit) (Category, error) {
	actor, err := auth.Require(ctx, auth.PermIncidentAdminCategories)
	if err != nil {
		return Category{}, err
	}
	if err := e.validate(); err != nil {
		return Category{}, err
	}
	var after Category
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		before, err := getCategory(ctx, tx, code)
		if err != nil {
			return err
		}
		after = before
		after.NameZh, after.NameEn, after.AnnexBCode, after.Active = e.NameZh, e.NameEn, e.AnnexBCode, e.Active
		if _, err := tx.ExecContext(ctx, `UPDATE incident_categories SET name_zh = $1, name_en = $2, annex_b_code = $3, active = $4
			WHERE org_id = $5 AND code = $6`, after.NameZh, after.NameEn, after.AnnexBCode, after.Active, treeOrg, code); err != nil {
			return fmt.Errorf("update incident category %s: %w", code, err)
		}
		return audit.Append(ctx, tx, s.Clock.Now(), actor.Audit("incident_category.update", "incident_category", code, before, after))
	})
	return after, apperr.Wrap(err, "update incident category")
}

// AddCategory adds a sub-category under a class, coded <class>-NN with the
// next free number (a class's own additions follow the shipped ones).
func (s *Service) AddCategory(ctx context.Context, parent string, e CategoryEdit) (Category, error) {
	actor, err := auth.Require(ctx, auth.PermIncidentAdminCategories)
	if err != nil {
		return Category{}, err
	}
	e.Active = true
	if err := e.validate(); err != nil {
		return Category{}, err
	}
	var out Category
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		p, err := getCategory(ctx, tx, parent)
		if err != nil {
			return err
		}
		if p.ParentCode != "" {
			// Two levels, as in the standard.
			return apperr.Fields([]apperr.FieldError{{Field: "parent", Key: "err.incident_category_not_class"}})
		}
		var n, maxSort int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MAX(sort_order), 0) FROM incident_categories
			WHERE org_id = $1 AND parent_code = $2`, treeOrg, parent).Scan(&n, &maxSort); err != nil {
			return fmt.Errorf("count sub-categories of %s: %w", parent, err)
		}
		if maxSort == 0 {
			maxSort = p.SortOrder
		}
		out = Category{ParentCode: parent, NameZh: e.NameZh, NameEn: e.NameEn, AnnexBCode: e.AnnexBCode, SortOrder: maxSort + 1, Active: true}
		for k := n + 1; ; k++ {
			out.Code = fmt.Sprintf("%s-%02d", parent, k)
			if _, err := getCategory(ctx, tx, out.Code); apperr.Is(err, apperr.NotFound) {
				break
			} else if err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO incident_categories (org_id, code, parent_code, name_zh, name_en, annex_b_code, sort_order, active)
			VALUES ($1, $2, $3, $4, $5, $6, $7, TRUE)`, treeOrg, out.Code, parent, out.NameZh, out.NameEn, out.AnnexBCode, out.SortOrder); err != nil {
			return fmt.Errorf("insert incident category %s: %w", out.Code, err)
		}
		return audit.Append(ctx, tx, s.Clock.Now(), actor.Audit("incident_category.create", "incident_category", out.Code, nil, out))
	})
	return out, apperr.Wrap(err, "add incident category")
}

// Criteria returns the annex thresholds.
func (s *Service) Criteria(ctx context.Context) ([]Criterion, error) {
	if _, err := auth.Require(ctx, auth.PermIncidentRead); err != nil {
		return nil, err
	}
	cs, err := readCriteria(ctx, s.DB.Read())
	return cs, apperr.Wrap(err, "incident grade criteria")
}

func readCriteria(ctx context.Context, q store.Querier) ([]Criterion, error) {
	rows, err := q.QueryContext(ctx, `SELECT criterion_key, name_zh, name_en, unit, threshold_1, threshold_2, threshold_3, verified
		FROM incident_grade_criteria WHERE org_id = $1 ORDER BY sort_order, criterion_key`, treeOrg)
	if err != nil {
		return nil, fmt.Errorf("read grade criteria: %w", err)
	}
	defer rows.Close()
	var out []Criterion
	for rows.Next() {
		var c Criterion
		if err := rows.Scan(&c.Key, &c.NameZh, &c.NameEn, &c.Unit, &c.Thresholds[0], &c.Thresholds[1], &c.Thresholds[2], &c.Verified); err != nil {
			return nil, fmt.Errorf("read grade criteria: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// UpdateCriterion changes a criterion's thresholds and whether they are
// verified against the published text.
func (s *Service) UpdateCriterion(ctx context.Context, key string, thresholds [3]int64, verified bool) (Criterion, error) {
	actor, err := auth.Require(ctx, auth.PermIncidentAdminCategories)
	if err != nil {
		return Criterion{}, err
	}
	var after Criterion
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		all, err := readCriteria(ctx, tx)
		if err != nil {
			return err
		}
		var before *Criterion
		for i := range all {
			if all[i].Key == key {
				before = &all[i]
			}
		}
		if before == nil {
			return apperr.New(apperr.NotFound, "err.not_found")
		}
		after = *before
		after.Thresholds, after.Verified = thresholds, verified
		if err := after.validate(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE incident_grade_criteria SET threshold_1 = $1, threshold_2 = $2, threshold_3 = $3, verified = $4
			WHERE org_id = $5 AND criterion_key = $6`, thresholds[0], thresholds[1], thresholds[2], verified, treeOrg, key); err != nil {
			return fmt.Errorf("update grade criterion %s: %w", key, err)
		}
		return audit.Append(ctx, tx, s.Clock.Now(), actor.Audit("incident_criterion.update", "incident_criterion", key, *before, after))
	})
	return after, apperr.Wrap(err, "update grade criterion")
}
