/* thread.install(): make `threading` run on the drop-in. */
#include "compat.h"

PyMethodDef thread_install_functions[] = {
	{NULL, NULL, 0, NULL},
};
