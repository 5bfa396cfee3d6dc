/* bulkhead-sync enroll and checkin (see sync_checkin.c). */
#ifndef FLEET_SYNC_CHECKIN_H
#define FLEET_SYNC_CHECKIN_H

#include "sync_cmd.h"

int sync_enroll(const struct sync_args *a, struct fl_err *err);
int sync_checkin(const struct sync_args *a, struct fl_err *err);

#endif
