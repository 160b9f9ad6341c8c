package netx

// BudgetLeft returns how many requests the per-scan budget still allows;
// limited is false when the scan has no budget (Config.MaxRequests 0).
// Checks that send bursts use it to leave room for the others.
func (c *Client) BudgetLeft() (left int, limited bool) {
	if c.cfg.MaxRequests <= 0 {
		return 0, false
	}
	return max(0, c.cfg.MaxRequests-int(c.sent.Load())), true
}
