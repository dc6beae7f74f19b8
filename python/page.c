/* The `thread` module of the reference page: its definition only.  It has
 * the page's names (start_new_thread, exit, exit_thread, allocate_lock,
 * get_ident, LockType, error) and TIMEOUT_MAX, and two of the project's:
 * `dropin`, the same code presented as a complete `_thread` (dropin.c),
 * and install(), which makes `threading` run on it (install.c). */
#include "compat.h"

int thread_module_exec(PyObject *module)
{
	module_state *st = thread_state(module);

	st->is_dropin = 0;
	if (thread_add_common(module) < 0 || thread_lock_add(module) < 0)
		return -1;
	if (PyModule_AddFunctions(module, thread_start_functions) < 0 ||
	    PyModule_AddFunctions(module, thread_functions) < 0 ||
	    PyModule_AddFunctions(module, thread_page_functions) < 0 ||
	    PyModule_AddFunctions(module, thread_install_functions) < 0)
		return -1;
	st->dropin = thread_dropin_new(module);
	if (!st->dropin)
		return -1;
	return thread_add_ref(module, "dropin", st->dropin);
}

PyDoc_STRVAR(module_doc,
"Multiple threads of control sharing their global data space, and simple\n"
"locks (binary semaphores) to synchronise them, over libthread.\n\n"
"error is RuntimeError (as in _thread); LockType is the type of locks.\n"
"dropin is the same code as a complete _thread module; install() makes\n"
"the threading module run on it.");

PyModuleDef thread_moduledef = {
	PyModuleDef_HEAD_INIT,
	.m_name = "thread",
	.m_doc = module_doc,
	.m_size = sizeof(module_state),
	.m_slots = compat_module_slots,
	.m_traverse = thread_module_traverse,
	.m_clear = thread_module_clear,
	.m_free = thread_module_free,
};

PyMODINIT_FUNC PyInit_thread(void)
{
	return PyModuleDef_Init(&thread_moduledef);
}
