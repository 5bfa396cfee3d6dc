/* The fleet services' HTTP daemon (httpd.h). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include "httpd.h"

int fl_httpd_run(const struct fl_httpd *h, struct fl_err *err)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct fl_buf cb = { 0 }, kb = { 0 };
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	struct MHD_Daemon *d;
	char host[64];
	unsigned port;
	sigset_t stop_signals, old_mask;
	int sig;

	if (sscanf(h->listen, "%63[^:]:%u", host, &port) != 2 || port > 65535 ||
	    inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		return fl_fail(err, "--listen wants IPv4:PORT");
	sa.sin_port = htons((uint16_t)port);
	if (h->cert && (!h->key || fl_read_file(h->cert, 1U << 20, &cb, err) || fl_buf_append(&cb, "", 1) ||
			fl_read_file(h->key, 1U << 20, &kb, err) || fl_buf_append(&kb, "", 1))) {
		fl_buf_free(&cb);
		fl_buf_free(&kb);
		return h->key ? -1 : fl_fail(err, "a TLS certificate needs its key");
	}
	/* SIGTERM and SIGINT are blocked before MHD's polling thread starts, so
	 * that thread inherits the mask and only the sigwait() below takes them:
	 * a handler could run on MHD's thread and never wake the main one. */
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop_signals, &old_mask);
	if (h->cert)
		d = MHD_start_daemon(flags | MHD_USE_TLS, 0, NULL, NULL, h->handler, h->cls,
				     MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_NOTIFY_COMPLETED, h->done, NULL,
				     MHD_OPTION_CONNECTION_TIMEOUT, h->timeout_s,
				     MHD_OPTION_CONNECTION_LIMIT, h->max_connections,
				     MHD_OPTION_HTTPS_MEM_CERT, (const char *)cb.data,
				     MHD_OPTION_HTTPS_MEM_KEY, (const char *)kb.data, MHD_OPTION_END);
	else
		d = MHD_start_daemon(flags, 0, NULL, NULL, h->handler, h->cls, MHD_OPTION_SOCK_ADDR, &sa,
				     MHD_OPTION_NOTIFY_COMPLETED, h->done, NULL,
				     MHD_OPTION_CONNECTION_TIMEOUT, h->timeout_s,
				     MHD_OPTION_CONNECTION_LIMIT, h->max_connections, MHD_OPTION_END);
	if (!d) {
		pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
		fl_buf_free(&cb);
		fl_buf_free(&kb);
		return fl_fail(err, "cannot listen on %s", h->listen);
	}
	printf("%s listening on %s://%s\n", h->name, h->cert ? "https" : "http", h->listen);
	fflush(stdout);
	/* fails only for an invalid set; glibc retries an interrupted wait */
	sigwait(&stop_signals, &sig);
	MHD_stop_daemon(d);
	pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
	sodium_memzero(kb.data, kb.len);
	fl_buf_free(&cb);
	fl_buf_free(&kb);
	return 0;
}
