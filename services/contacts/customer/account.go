package customer

// Account is a company the tenant does business with.
type Account struct {
	Meta
	Name            string   `json:"name" db:"name"`
	Domain          string   `json:"domain,omitempty" db:"domain"`
	Industry        string   `json:"industry,omitempty" db:"industry"`
	SizeBand        string   `json:"sizeBand,omitempty" db:"size_band"`
	AnnualRevenue   *Money   `json:"annualRevenue,omitempty" db:"annual_revenue"`
	ParentAccountID *string  `json:"parentAccountId,omitempty" db:"parent_account_id"`
	BillingAddress  *Address `json:"billingAddress,omitempty" db:"billing_address"`
	ShippingAddress *Address `json:"shippingAddress,omitempty" db:"shipping_address"`
	// LastActivityAt is when the latest activity of the account or of its
	// contacts happened, kept as a contact's is (Contact.LastActivityAt).
	LastActivityAt *UTCTime `json:"lastActivityAt,omitempty" db:"last_activity_at"`
}

// SizeBands are the headcount bands of an account.
var SizeBands = []string{"1-10", "11-50", "51-200", "201-500", "501-1000", "1001-5000", "5000+"}
