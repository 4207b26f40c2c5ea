package reports

// customerReports are the reports of customers and service: lifecycle,
// lifecycle-flows, customer-value, service and activity.
func customerReports() []Definition {
	return []Definition{lifecycleReport(), flowsReport(), valueReport(), serviceReport(), activityReport()}
}
