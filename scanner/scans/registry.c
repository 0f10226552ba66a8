/* registry.c — finds a scan type by name, -s letter or enum (zmap's probe module list). */
#include <string.h>

#include "scanner/scans/scans.h"

static const struct scan_ops *const scan_registry[] = {
    &scan_syn, &scan_connect, &scan_ack, &scan_window, &scan_maimon,
    &scan_fin, &scan_null, &scan_xmas, &scan_udp,
};
enum { SCAN_REGISTRY_N = sizeof scan_registry / sizeof scan_registry[0] };

const struct scan_ops *scan_ops_by_name(const char *name)
{
    for (size_t i = 0; name && i < SCAN_REGISTRY_N; i++)
        if (strcmp(scan_registry[i]->name, name) == 0)
            return scan_registry[i];
    return NULL;
}

const struct scan_ops *scan_ops_by_flag(char flag)
{
    for (size_t i = 0; i < SCAN_REGISTRY_N; i++)
        if (scan_registry[i]->flag == flag)
            return scan_registry[i];
    return NULL;
}

const struct scan_ops *scan_ops_by_type(enum scan_type t)
{
    for (size_t i = 0; i < SCAN_REGISTRY_N; i++)
        if (scan_registry[i]->type == t)
            return scan_registry[i];
    return NULL;
}

enum scan_type scan_type_by_name(const char *name)
{
    const struct scan_ops *o = scan_ops_by_name(name);
    return o ? o->type : SCAN_NONE;
}

enum scan_type scan_type_by_flag(char flag)
{
    const struct scan_ops *o = scan_ops_by_flag(flag);
    return o ? o->type : SCAN_NONE;
}

const char *scan_type_name(enum scan_type t)
{
    const struct scan_ops *o = scan_ops_by_type(t);
    return o ? o->name : "none";
}
