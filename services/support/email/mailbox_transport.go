package email

import (
	"context"
	"net/http"

	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/support/internal/supportdb"
)

// MailboxRoutes returns the routes of the support mailboxes: reading and
// configuring them both need support:admin (they are the channel's
// configuration).
func MailboxRoutes(s *Mailboxes) []starter.Route {
	return resource.Routes(
		starter.Route{Name: "listSupportMailboxes", Method: "GET", Path: "/v1/support-mailboxes", Permission: supportdb.PermAdmin,
			Decode: func(context.Context, *http.Request) (any, error) { return nil, nil },
			Endpoint: func(ctx context.Context, _ any) (any, error) {
				out, err := s.List(ctx)
				return resource.OK(resource.List[Mailbox]{Items: out}, 0, err)
			}},
		starter.Route{Name: "createSupportMailbox", Method: "POST", Path: "/v1/support-mailboxes", Permission: supportdb.PermAdmin,
			Decode: resource.DecodeBody[mailboxInput](mailboxReadOnly),
			Endpoint: func(ctx context.Context, r any) (any, error) {
				m, err := s.Create(ctx, r.(mailboxInput).mailbox())
				return resource.Created(m, m.Version, "/v1/support-mailboxes/"+m.ID, err)
			}},
		starter.Route{Name: "getSupportMailbox", Method: "GET", Path: "/v1/support-mailboxes/{id}", Permission: supportdb.PermAdmin,
			Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				m, err := s.Get(ctx, r.(resource.IDRequest).ID)
				return resource.OK(m, m.Version, err)
			}},
		starter.Route{Name: "updateSupportMailbox", Method: "PATCH", Path: "/v1/support-mailboxes/{id}", Permission: supportdb.PermAdmin,
			Decode: resource.DecodePatch,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(resource.PatchRequest)
				m, err := s.Update(ctx, req.ID, req.IfMatch, req.Patch)
				return resource.OK(m, m.Version, err)
			}},
		starter.Route{Name: "deleteSupportMailbox", Method: "DELETE", Path: "/v1/support-mailboxes/{id}", Permission: supportdb.PermAdmin,
			Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				return resource.NoContent{}, s.Delete(ctx, r.(resource.IDRequest).ID)
			}},
	)
}

// mailboxInput is the body of a new mailbox: autoAcknowledge is on unless
// it says otherwise.
type mailboxInput struct {
	Address         string  `json:"address"`
	QueueID         *string `json:"queueId"`
	DefaultPriority string  `json:"defaultPriority"`
	AutoAcknowledge *bool   `json:"autoAcknowledge"`
	FromName        string  `json:"fromName"`
	IsDefault       bool    `json:"isDefault"`
}

// mailbox is the mailbox in.
func (in mailboxInput) mailbox() Mailbox {
	return Mailbox{Address: in.Address, QueueID: in.QueueID, DefaultPriority: in.DefaultPriority,
		AutoAcknowledge: in.AutoAcknowledge == nil || *in.AutoAcknowledge, FromName: in.FromName, IsDefault: in.IsDefault}
}
