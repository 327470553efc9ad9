/* meetstream: yoloblur, privacy background blur driven by a YOLOv5 person detector. */
#pragma once

#include <gst/gst.h>
#include <gst/video/gstvideofilter.h>

G_BEGIN_DECLS

#define GST_TYPE_YOLO_BLUR (gst_yolo_blur_get_type ())
G_DECLARE_FINAL_TYPE (GstYoloBlur, gst_yolo_blur, GST, YOLO_BLUR, GstVideoFilter)

#define GST_TYPE_YOLO_BLUR_MODE (gst_yolo_blur_mode_get_type ())
GType gst_yolo_blur_mode_get_type (void);

#define GST_TYPE_YOLO_BLUR_NO_PERSON (gst_yolo_blur_no_person_get_type ())
GType gst_yolo_blur_no_person_get_type (void);

#define GST_TYPE_YOLO_BLUR_BACKEND (gst_yolo_blur_backend_get_type ())
GType gst_yolo_blur_backend_get_type (void);

#define GST_TYPE_YOLO_BLUR_TARGET (gst_yolo_blur_target_get_type ())
GType gst_yolo_blur_target_get_type (void);

GST_ELEMENT_REGISTER_DECLARE (yoloblur);

G_END_DECLS
