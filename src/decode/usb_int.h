/*
 * summary: what the two USB capture headers (usbmon.c, usbpcap.c) share:
 *          the setup packet of a control transfer as a record.
 */
#ifndef NC_DECODE_USB_INT_H
#define NC_DECODE_USB_INT_H

#include "decode/pkt.h"

enum {
    USB_SETUP_LEN = 8,      /* bmRequestType, bRequest, wValue, wIndex, wLength (USB 2.0 9.3) */
    USB_DIR_IN = 0x80,      /* endpoint address bit: device to host */
    USB_XFER_CONTROL = 2,   /* transfer type, the same in usbmon and USBPcap */
    USB_XFER_ISO = 0,       /* isochronous */
    USB_EVENT_SUBMIT = 'S', /* usbmon event types */
    USB_EVENT_COMPLETE = 'C',
};

/* A USBRequestBlockSetup record from the 8 setup octets s (little-endian
 * words) of the request with id. */
static inline void nc_usb_setup_record(struct nc_pkt *pkt, struct nc_rd s, uint64_t id)
{
    uint8_t request_type = nc_rd_u8(&s);
    uint8_t request = nc_rd_u8(&s);
    uint16_t value = nc_rd_le16(&s);
    uint16_t index = nc_rd_le16(&s);
    uint16_t length = nc_rd_le16(&s);
    if (!nc_rd_ok(&s)) {
        return;
    }
    Netcap__USBRequestBlockSetup *rec = nc_pkt_record(pkt, NC_REC_USBRequestBlockSetup);
    if (rec) {
        rec->request_type = request_type;
        rec->request = request;
        rec->value = value;
        rec->index = index;
        rec->length = length;
        rec->id = id;
    }
}

#endif
