package auth

// Grant adds permissions to a role's row of the matrix. Feature packages
// call it from an init function in their own perms file, so each keeps its
// grants beside its code and the matrix stays one table at run time.
func Grant(r Role, perms ...Perm) { rolePerms[r] = append(rolePerms[r], perms...) }
