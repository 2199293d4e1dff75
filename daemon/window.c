#include "window.h"

enum window_state window_state_at(const struct config *cfg, int64_t now)
{
	if (now < cfg->opens)
		return WINDOW_BEFORE;
	if (now < cfg->closes)
		return WINDOW_OPEN;
	if (now < cfg->closes + cfg->grace)
		return WINDOW_GRACE;
	return WINDOW_CLOSED;
}

const char *window_state_name(enum window_state s)
{
	switch (s) {
	case WINDOW_BEFORE: return "not yet open";
	case WINDOW_OPEN: return "open";
	case WINDOW_GRACE: return "closed, in grace";
	case WINDOW_CLOSED: return "closed";
	}
	return "unknown";
}

int64_t window_next_change(const struct config *cfg, int64_t now)
{
	if (now < cfg->opens)
		return cfg->opens - now;
	if (now < cfg->closes)
		return cfg->closes - now;
	if (now < cfg->closes + cfg->grace)
		return cfg->closes + cfg->grace - now;
	return -1;
}

bool window_is_late(const struct config *cfg, int64_t received_at)
{
	return received_at >= cfg->closes;
}

int64_t window_purge_at(const struct config *cfg)
{
	if (cfg->retention_days < 0)
		return -1;
	return cfg->closes + cfg->grace + (int64_t)cfg->retention_days * 86400;
}
