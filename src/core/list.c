/* list.c: intrusive doubly linked lists. */
#include "core.h"

void list_init(struct list *list)
{
	list->head = list->tail = NULL;
	list->count = 0;
}

void list_append(struct list *list, struct le *le, void *data)
{
	le->prev = list->tail;
	le->next = NULL;
	le->list = list;
	le->data = data;
	if (list->tail)
		list->tail->next = le;
	else
		list->head = le;
	list->tail = le;
	list->count++;
}

void list_prepend(struct list *list, struct le *le, void *data)
{
	le->prev = NULL;
	le->next = list->head;
	le->list = list;
	le->data = data;
	if (list->head)
		list->head->prev = le;
	else
		list->tail = le;
	list->head = le;
	list->count++;
}

/* Safe on an element that is in no list. */
void list_unlink(struct le *le)
{
	struct list *list = le->list;

	if (!list)
		return;
	if (le->prev)
		le->prev->next = le->next;
	else
		list->head = le->next;
	if (le->next)
		le->next->prev = le->prev;
	else
		list->tail = le->prev;
	list->count--;
	le->prev = le->next = NULL;
	le->list = NULL;
}

void list_flush(struct list *list)
{
	while (list->head) {
		struct le *le = list->head;
		void *data = le->data;

		list_unlink(le);
		mem_deref(data);
	}
}
