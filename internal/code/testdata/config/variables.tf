variable "metrics_url" {
  default = "https://metrics.vulnshop.test/v1/push"
}
