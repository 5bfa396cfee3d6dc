/* Running a libmicrohttpd daemon for the fleet's services (check-in,
 * console): listen on IPv4:PORT, over TLS when a certificate and key are
 * given, until SIGTERM or SIGINT. */
#ifndef FLEET_HTTPD_H
#define FLEET_HTTPD_H

#include <microhttpd.h>
#include "util.h"

struct fl_httpd {
	const char *listen;          /* "IPv4:PORT" */
	const char *cert, *key;      /* PEM files; both or neither */
	MHD_AccessHandlerCallback handler;
	void *cls;
	MHD_RequestCompletedCallback done;
	unsigned timeout_s, max_connections;
	const char *name;            /* for the "NAME listening on URL" line */
};

/* Returns when a signal stops it (0), or -1 with err if it cannot listen. */
int fl_httpd_run(const struct fl_httpd *h, struct fl_err *err);

#endif
