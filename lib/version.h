/* version.h — tcplab's version, in one place: `tcplab version`, the scanner's output headers
 * (-oN, -oG, -oX's scanner version) and the man pages' footers say the same. */
#ifndef TCPLAB_VERSION_H
#define TCPLAB_VERSION_H

#define TCPLAB_VERSION "0.1"

#endif
