package contacts

// A contact's last activity, the column last_activity_at that filters and
// sorts know as lastActivityAt, is kept by the activities other services
// record, never by a request (readOnlyFields). It is one of the contact's
// columns (contactKind): read with every contact and written back as read,
// under the row lock of the write.

// laterActivity returns the later of two last-activity times (nil: none).
func laterActivity(a, b *UTCTime) *UTCTime {
	if a == nil || b != nil && b.After(a.Time) {
		return b
	}
	return a
}
