// Package auth owns users, password hashing, signed tokens, roles and the
// login rate limit. Tokens are JWTs (golang-jwt v5) that carry the user's
// role and dealer or supplier; the server keeps no session state.
package auth

// Role is what a user may do (product.md "Roles").
type Role string

// The four roles.
const (
	RoleDealer   Role = "dealer"
	RolePlanner  Role = "planner"
	RoleSupplier Role = "supplier"
	RoleAdmin    Role = "admin"
)

// Valid reports whether r is one of the four roles.
func (r Role) Valid() bool {
	switch r {
	case RoleDealer, RolePlanner, RoleSupplier, RoleAdmin:
		return true
	}
	return false
}

// Principal is the authenticated caller, as carried in a token. Every query
// on dealer- or supplier-owned data is scoped by it.
type Principal struct {
	UserID       int    `json:"uid"`
	Email        string `json:"email"`
	Role         Role   `json:"role"`
	DealerID     int    `json:"did,omitempty"`
	DealerCode   string `json:"dealer,omitempty"`
	SupplierID   int    `json:"sid,omitempty"`
	SupplierCode string `json:"supplier,omitempty"`
	Locale       string `json:"locale,omitempty"`
	Name         string `json:"name,omitempty"`
}

// IsHeadOffice reports whether the caller is a planner or an admin.
func (p Principal) IsHeadOffice() bool { return p.Role == RolePlanner || p.Role == RoleAdmin }
