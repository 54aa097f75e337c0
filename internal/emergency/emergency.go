// Package emergency is the emergency organisation of the emergency plan
// (应急组织): the leadership group (领导小组), the response working group
// (应急响应工作组) and its office, the support units (应急支援单位) with
// their contacts, and the on-duty roster (值班表). Other modules ask it
// whom to route approvals and notifications to (Members, OnDuty, Contacts);
// it draws the organisation chart (Chart) and gives the plan's section
// (PlanSection).
package emergency

import (
	"time"

	"bulwark/internal/clock"
	"bulwark/internal/store"
)

// Service is the emergency organisation of the actor's organisation.
type Service struct {
	DB    *store.DB
	Clock clock.Clock
}

// Group kinds. The first three exist once per organisation; support units
// are many.
const (
	GroupLeadership   = "leadership"
	GroupWorkingGroup = "working_group"
	GroupOffice       = "office"
	GroupSupport      = "support"
)

// FixedGroups are the groups every organisation has, in chart order.
var FixedGroups = []string{GroupLeadership, GroupWorkingGroup, GroupOffice}

// Groups are all group kinds.
var Groups = []string{GroupLeadership, GroupWorkingGroup, GroupOffice, GroupSupport}

// Positions a member holds in a group.
const (
	PositionLeader  = "leader"  // 组长
	PositionDeputy  = "deputy"  // 副组长
	PositionMember  = "member"  // 成员
	PositionContact = "contact" // 联系人 (support units)
)

// Positions in display order.
var Positions = []string{PositionLeader, PositionDeputy, PositionMember, PositionContact}

// Support unit categories, from the seed's chart (网络设备维护单位,
// 系统维护单位, 线路维护单位, 安全厂商, 专家, 公安).
var Categories = []string{"network", "system", "line", "security_vendor", "expert", "police", "other"}

// Duty roles on the roster.
const (
	DutyLead  = "lead"  // 值班长
	DutyStaff = "staff" // 值班员
)

// DutyRoles in display order.
var DutyRoles = []string{DutyLead, DutyStaff}

// Unit is a group of the emergency organisation. A fixed group nobody has
// edited yet has ID 0 and an empty name (the surfaces show the kind's
// catalogue name).
type Unit struct {
	ID        int64     `json:"id"`
	OrgID     int64     `json:"-"`
	Kind      string    `json:"kind"`
	Name      string    `json:"name"`
	Category  string    `json:"category,omitempty"`
	Location  string    `json:"location"`
	Duties    string    `json:"duties"`
	SortOrder int       `json:"sort_order"`
	Members   []Member  `json:"members"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Member is a person in a group: an account of the organisation (UserID) or
// an outside person (UserID 0).
type Member struct {
	ID        int64     `json:"id"`
	OrgID     int64     `json:"-"`
	UnitID    int64     `json:"unit_id"`
	Group     string    `json:"group"`
	UnitName  string    `json:"unit_name"`
	UserID    int64     `json:"user_id,omitempty"`
	Name      string    `json:"name"`
	Position  string    `json:"position"`
	Title     string    `json:"title"`
	Phone     string    `json:"phone"`
	Email     string    `json:"email"`
	IM        string    `json:"im"`
	Notes     string    `json:"notes"`
	SortOrder int       `json:"sort_order"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// DutyRole is set on the members OnDuty returns.
	DutyRole string `json:"duty_role,omitempty"`
}

// Shift is one entry of the on-duty roster: [StartsAt, EndsAt).
type Shift struct {
	ID        int64     `json:"id"`
	OrgID     int64     `json:"-"`
	MemberID  int64     `json:"member_id"`
	Member    string    `json:"member_name"`
	DutyRole  string    `json:"duty_role"`
	StartsAt  time.Time `json:"starts_at"`
	EndsAt    time.Time `json:"ends_at"`
	Contact   string    `json:"contact"`
	Notes     string    `json:"notes"`
	CreatedAt time.Time `json:"created_at"`
}
