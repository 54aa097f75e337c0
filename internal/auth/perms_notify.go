package auth

// PermNotifyManage lets a caller configure notification channels and rules,
// see the delivery log and retry deliveries. Channels hold SMTP passwords and
// robot secrets, and rules decide who hears about incidents, so this stays
// with the security manager (and the platform admin, who has everything).
const PermNotifyManage Perm = "notify.manage"

func init() { Grant(RoleSecurityManager, PermNotifyManage) }
