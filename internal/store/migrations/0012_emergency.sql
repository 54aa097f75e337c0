-- The emergency organisation (应急组织) of the seed's emergency plan: the
-- leadership group, the response working group and its office (one each per
-- organisation, kind unique) and any number of support units; the people in
-- them; and the on-duty roster. A member may link to an account (user_id)
-- or be an outside person (user_id 0).
CREATE TABLE emergency_units (
    id {{ID}},
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    -- leadership | working_group | office | support
    kind TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    -- support units: network | system | line | security_vendor | expert | police | other
    category TEXT NOT NULL DEFAULT '',
    -- where the unit sits (the office: 技术部)
    location TEXT NOT NULL DEFAULT '',
    duties TEXT NOT NULL DEFAULT '',
    sort_order INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX emergency_units_org ON emergency_units (org_id, kind, sort_order);
CREATE UNIQUE INDEX emergency_units_fixed ON emergency_units (org_id, kind) WHERE kind <> 'support';

CREATE TABLE emergency_members (
    id {{ID}},
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    unit_id BIGINT NOT NULL REFERENCES emergency_units(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL DEFAULT 0,
    name TEXT NOT NULL,
    -- leader (组长) | deputy (副组长) | member (成员) | contact (联系人)
    position TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    im TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    sort_order INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX emergency_members_unit ON emergency_members (org_id, unit_id, sort_order);

CREATE TABLE emergency_shifts (
    id {{ID}},
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    member_id BIGINT NOT NULL REFERENCES emergency_members(id) ON DELETE CASCADE,
    -- lead (值班长) | staff (值班员)
    duty_role TEXT NOT NULL,
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    contact TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX emergency_shifts_org_time ON emergency_shifts (org_id, starts_at);
