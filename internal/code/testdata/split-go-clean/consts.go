package split

// The metrics upstream every report is pushed to.
const defaultBase = "https://metrics.cleanshop.test/v1/"
