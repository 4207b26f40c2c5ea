package imports

import (
	"maps"
	"slices"
	"strings"

	"github.com/rapport-crm/rapport/libs/customfields"

	"github.com/rapport-crm/rapport/services/contacts/customer"
)

// applyRow writes what the row of d fills over c, as the update policy
// does: each field the row fills replaces c's (an empty cell changes
// nothing), its emails, phones and tags are added to c's, its custom fields
// and address and consent parts are set one by one, and the account it
// names becomes c's. d is admitted (normalised); c is normalised again when
// it is written.
func applyRow(c *customer.Contact, d *draft) {
	src := &d.contact
	for path := range d.paths {
		field, rest, _ := strings.Cut(path, "/")
		switch field {
		case "firstName":
			c.FirstName = src.FirstName
		case "lastName":
			c.LastName = src.LastName
		case "displayName":
			c.DisplayName, c.DisplayNameManual = src.DisplayName, true
		case "jobTitle":
			c.JobTitle = src.JobTitle
		case "source":
			c.Source = src.Source
		case "ownerId":
			c.OwnerID = src.OwnerID
		case "teamId":
			c.TeamID = src.TeamID
		case "lifecycleStage":
			c.LifecycleStage = src.LifecycleStage
		case "address":
			if c.Address == nil {
				c.Address = &customer.Address{}
			}
			setAddressPart(c.Address, src.Address, rest)
		case "consent":
			if c.Consent == nil {
				c.Consent = &customer.Consent{}
			}
			setConsent(c.Consent, src.Consent, rest)
		case "customFields":
			if c.CustomFields == nil {
				c.CustomFields = customfields.Values{}
			}
			c.CustomFields[rest] = src.CustomFields[rest]
		}
	}
	for _, e := range src.Emails {
		if !slices.ContainsFunc(c.Emails, func(x customer.Email) bool { return x.Address == e.Address }) {
			c.Emails = append(c.Emails, customer.Email{Address: e.Address, Label: e.Label})
		}
	}
	for _, p := range src.Phones {
		if !slices.ContainsFunc(c.Phones, func(x customer.Phone) bool { return x.E164 == p.E164 }) {
			c.Phones = append(c.Phones, customer.Phone{Number: p.Number, E164: p.E164, Label: p.Label})
		}
	}
	for _, t := range src.Tags {
		if !slices.ContainsFunc(c.Tags, func(x string) bool { return strings.EqualFold(x, t) }) {
			c.Tags = append(c.Tags, t)
		}
	}
	if src.AccountID != nil {
		id := *src.AccountID
		c.AccountID = &id
	}
}

// setAddressPart copies the part of the address from src to dst.
func setAddressPart(dst, src *customer.Address, part string) {
	switch part {
	case "street":
		dst.Street = src.Street
	case "city":
		dst.City = src.City
	case "region":
		dst.Region = src.Region
	case "postalCode":
		dst.PostalCode = src.PostalCode
	case "country":
		dst.Country = src.Country
	}
}

// setConsent copies the consent of channel from src to dst.
func setConsent(dst, src *customer.Consent, channel string) {
	switch channel {
	case "email":
		dst.Email = src.Email
	case "sms":
		dst.SMS = src.SMS
	case "phone":
		dst.Phone = src.Phone
	}
}

// cloneContact returns a copy of c that shares nothing it could change.
func cloneContact(c *customer.Contact) *customer.Contact {
	out := *c
	out.Emails, out.Phones = slices.Clone(c.Emails), slices.Clone(c.Phones)
	out.Tags, out.TagIDs = slices.Clone(c.Tags), slices.Clone(c.TagIDs)
	out.CustomFields, out.StoredFields = maps.Clone(c.CustomFields), maps.Clone(c.StoredFields)
	if c.AccountID != nil {
		id := *c.AccountID
		out.AccountID = &id
	}
	if c.Address != nil {
		a := *c.Address
		out.Address = &a
	}
	if c.Consent != nil {
		cc := customer.Consent{Email: cloneChannel(c.Consent.Email), SMS: cloneChannel(c.Consent.SMS), Phone: cloneChannel(c.Consent.Phone)}
		out.Consent = &cc
	}
	return &out
}

// cloneChannel returns a copy of cc (nil for nil).
func cloneChannel(cc *customer.ChannelConsent) *customer.ChannelConsent {
	if cc == nil {
		return nil
	}
	out := *cc
	return &out
}
