package reports

// salesReports are the reports of sales and marketing: funnel, pipeline,
// pipeline-stages, lead-sources, campaign-roi and forecast.
func salesReports() []Definition {
	return []Definition{
		pipelineReport(),
		stagesReport(),
		leadSourcesReport(),
		campaignROIReport(),
	}
}
