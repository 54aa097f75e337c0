package workflow

import (
	"context"

	"bulwark/internal/auth"
)

// Item is an approval as one caller sees it: where its object is and what
// the caller may do with it. The inbox and the "approval_box" partial show
// these, so no template decides permissions itself.
type Item struct {
	Approval
	Link        string `json:"link,omitempty"`
	CanDecide   bool   `json:"can_decide"`
	CanWithdraw bool   `json:"can_withdraw"`
}

// Items describes list for the caller in ctx.
func Items(ctx context.Context, list []Approval) []Item {
	actor := auth.FromContext(ctx)
	out := make([]Item, 0, len(list))
	for _, a := range list {
		out = append(out, Item{Approval: a, Link: Link(a.ObjectType, a.ObjectID),
			CanDecide: a.MayDecide(actor), CanWithdraw: a.MayWithdraw(actor)})
	}
	return out
}

// Box is what an object's page hands to the "approval_box" partial: the
// object's approvals with the caller's buttons.
func (s *Service) Box(ctx context.Context, objectType, objectID string) ([]Item, error) {
	list, err := s.ForObject(ctx, objectType, objectID)
	if err != nil {
		return nil, err
	}
	return Items(ctx, list), nil
}
