"""Pages out to where people are: Apprise (Slack, Teams, ntfy, e-mail, JSON webhooks and about a
hundred others) for responders' contact methods, and signed JSON requests for outbound
webhooks. Only the page sender and the commands that read or check contact URLs import this
package, and with it Apprise: never `status`, `ls` or the console's start."""
