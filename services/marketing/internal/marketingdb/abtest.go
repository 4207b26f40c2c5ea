package marketingdb

// VerbABDecided is a send's A/B test decided: its winner chosen (by
// significance or at its deadline) and the rest of its recipients
// released with the winner's content (package messaging's abtest*.go;
// messagingEvents lists it under EntitySend).
const VerbABDecided = "ab_decided"
